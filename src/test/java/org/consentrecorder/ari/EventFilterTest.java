package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventFilterTest {
    @Test
    void theBodyIsTheFilterItself_anAllowedListOfTypes() {
        EventFilter f = EventFilter.allowing(Set.of("StasisStart", "ChannelDtmfReceived", "ApplicationReplaced"));
        JsonObject body = new JsonObject(f.body());
        assertEquals(Set.of("allowed"), body.fieldNames(), "not wrapped in {\"filter\": …}, which Asterisk ignores");
        assertEquals(new JsonArray().add(new JsonObject().put("type", "ApplicationReplaced"))
                .add(new JsonObject().put("type", "ChannelDtmfReceived")).add(new JsonObject().put("type", "StasisStart")),
                body.getJsonArray("allowed"));
        assertEquals(3, f.size());
        assertEquals("/applications/consent-recorder/eventFilter", f.path("consent-recorder"));
        assertEquals("/applications/a%20b%2Fc/eventFilter", f.path("a b/c"));
    }

    @Test
    void anEmptyListWouldMeanEveryType_andIsRefused_asIsAnythingThatIsNotAnEventTypeName() {
        assertThrows(IllegalArgumentException.class, () -> EventFilter.allowing(Set.of()));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.allowing(Set.of("Stasis\"Start")));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.allowing(Set.of("", "ApplicationReplaced")));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.allowing(Set.of("x".repeat(65))));
    }
}
