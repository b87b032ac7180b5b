package dev.sessionops.claude.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

/** The script's SHA computed here, and which errors mean that Redis lost the script: no Redis needed. */
class LuaScriptTest {

    @Test
    void theShaIsTheOneRedisGivesTheScript() {
        // `redis-cli SCRIPT LOAD 'return 1'` and `printf 'return 1' | sha1sum` both give this
        assertEquals("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", new LuaScript("return 1").sha());
        assertEquals("return 1", new LuaScript("return 1").text());
    }

    @Test
    void onlyAnErrorStartingWithNoscriptIsAMissingScript() {
        String redisSays = "NOSCRIPT No matching script. Please use EVAL.";
        assertTrue(LuaScript.isNoScript(new RuntimeException(redisSays)));
        assertTrue(LuaScript.isNoScript(new CompletionException(new Throwable(redisSays))),
                "as the data source wraps it");

        assertFalse(LuaScript.isNoScript(new RuntimeException("ERR user_script:1: NOSCRIPT is only a word here")));
        assertFalse(LuaScript.isNoScript(new RuntimeException("WRONGTYPE Operation against a key")));
        assertFalse(LuaScript.isNoScript(new RuntimeException((String) null)));
        assertFalse(LuaScript.isNoScript(new IllegalStateException("Connection refused", new Exception("closed"))));
    }
}
