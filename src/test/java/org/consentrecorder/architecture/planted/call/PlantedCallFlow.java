package org.consentrecorder.architecture.planted.call;

import org.consentrecorder.architecture.planted.ari.PlantedAriClient;

/** Uses the transport, as it may; together with {@link PlantedAriClient} it forms a cycle. */
public final class PlantedCallFlow {
    public PlantedAriClient client;
}
