package org.consentrecorder.architecture.planted.ari;

import org.consentrecorder.architecture.planted.call.PlantedCallFlow;

/** A planted mistake: the transport layer reaching up into a call type (closes a cycle). */
public final class PlantedAriClient {
    public PlantedCallFlow flow;
}
