package org.consentrecorder.ari;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.AriVersion;
import ch.loway.oss.ari4java.generated.models.Message;
import ch.loway.oss.ari4java.tools.ARIException;
import ch.loway.oss.ari4java.tools.AriAsyncHandler;
import ch.loway.oss.ari4java.tools.AriCallback;
import ch.loway.oss.ari4java.tools.RestException;

/**
 * Decodes one event WebSocket frame exactly as the event subscription does: ari4java's
 * {@link AriAsyncHandler} over the binding's own {@code Message} implementation class. It exists
 * so that the start-up warm-up runs the very code (and Jackson deserializers) a live frame runs.
 */
public final class AriEventDecoder {
    private final AriVersion binding;
    private final Class<Message> messageClass;

    @SuppressWarnings("unchecked")
    public AriEventDecoder(AriVersion binding) {
        this.binding = binding;
        ARI ari = new ARI();
        ari.setVersion(binding);
        try {
            this.messageClass = (Class<Message>) ari.getModelImpl(Message.class).getClass();
        } catch (ARIException e) {
            throw new IllegalStateException("ari4java has no Message model for " + binding, e);
        }
        AriConnection.enableLenientDecoding();
    }

    public AriVersion binding() {
        return binding;
    }

    /** The decoded event; a frame ari4java cannot decode fails as it would on the socket. */
    public Message decode(String frame) throws RestException {
        Message[] decoded = new Message[1];
        RestException[] failed = new RestException[1];
        new AriAsyncHandler<>(new AriCallback<Message>() {
            @Override
            public void onSuccess(Message result) {
                decoded[0] = result;
            }

            @Override
            public void onFailure(RestException e) {
                failed[0] = e;
            }
        }, messageClass).onSuccess(frame);
        if (failed[0] != null) {
            throw failed[0];
        }
        return decoded[0];
    }
}
