package dev.sessionops.claude.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** One list of credential names, spelled twice only where an annotation needs a constant: the two must agree. */
class CredentialKeysTest {
    @Test
    void theCrdRuleNamesExactlyTheCredentialVariables() {
        Set<String> cel = Arrays.stream(Credentials.ENV_NAMES_CEL.replaceAll("[\\[\\]' ]", "").split(","))
                .collect(Collectors.toSet());
        assertEquals(Credentials.ENV_NAMES, cel);
        assertTrue(Credentials.ENV_NAMES.containsAll(Credentials.SECRET_KEYS));
    }
}
