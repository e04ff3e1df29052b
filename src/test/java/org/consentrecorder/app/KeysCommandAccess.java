package org.consentrecorder.app;


/** Lets tests in other packages run the rewrap command the CLI runs. */
public final class KeysCommandAccess {
    private KeysCommandAccess() {
    }

    public static int rewrap(AppConfig config) {
        return KeysCommand.Rewrap.rewrap(config);
    }
}
