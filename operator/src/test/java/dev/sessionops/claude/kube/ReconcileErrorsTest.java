package dev.sessionops.claude.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.OperatorException;

class ReconcileErrorsTest {

    @Test
    void theMessageIsTheCauseOnOneCappedLine() {
        String huge = "line one\n" + "x".repeat(5000);
        String text = ReconcileErrors.describe(new OperatorException(new IllegalStateException(huge)));
        assertTrue(text.startsWith("IllegalStateException: line one x"), text);
        assertEquals(ReconcileErrors.MAX_MESSAGE, text.length());
        assertFalse(text.contains("\n"));
        assertEquals("NullPointerException", ReconcileErrors.describe(new NullPointerException()));
    }

    @Test
    void clearingRemovesOnlyThatCondition() {
        List<Condition> conditions = new ArrayList<>();
        Conditions.set(conditions, "Succeeded", Conditions.UNKNOWN, "Queued", "waiting", 1L);
        assertFalse(ReconcileErrors.clear(conditions));
        Conditions.set(conditions, ReconcileErrors.TYPE, Conditions.TRUE, ReconcileErrors.REASON, "boom", 1L);
        assertTrue(ReconcileErrors.clear(conditions));
        assertEquals(List.of("Succeeded"), conditions.stream().map(Condition::getType).toList());
    }
}
