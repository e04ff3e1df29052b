package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label values from outside an enum: words only, a bounded number of them, the rest under "other". */
class BoundedLabelsTest {
    @Test
    void numbersAndNonWordsGoToOther_andTheCountIsCapped() {
        List<String> created = new ArrayList<>();
        BoundedLabels<String> labels = new BoundedLabels<>(3, v -> {
            created.add(v);
            return v;
        });
        assertEquals("StasisStart", labels.get("StasisStart"));
        assertEquals("POST /channels/{id}/answer 2xx", labels.get("POST /channels/{id}/answer 2xx"));
        for (String bad : List.of("404", "+49 30 1234567", "1795538447.12", "ab12", "", "a\"b", "x\ny")) {
            assertEquals(BoundedLabels.OTHER, labels.get(bad), bad);
        }
        assertEquals(BoundedLabels.OTHER, labels.get(null));
        assertEquals(BoundedLabels.OTHER, labels.get("FourthWord"), "the cap (3, other included) is reached");
        assertEquals("StasisStart", labels.get("StasisStart"), "known values stay");
        assertEquals(List.of("StasisStart", "POST /channels/{id}/answer 2xx", BoundedLabels.OTHER), created);
    }
}
