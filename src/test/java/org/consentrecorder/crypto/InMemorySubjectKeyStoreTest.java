package org.consentrecorder.crypto;

class InMemorySubjectKeyStoreTest extends SubjectKeyStoreContract {

    @Override
    KeyringSubjectKeyStore newStore(Keyring keyring) {
        return new InMemorySubjectKeyStore(keyring);
    }

    @Override
    KeyringSubjectKeyStore reopen(KeyringSubjectKeyStore store, Keyring keyring) {
        store.useKeyring(keyring);
        return store;
    }
}
