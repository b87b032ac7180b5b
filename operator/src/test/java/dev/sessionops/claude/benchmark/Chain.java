package dev.sessionops.claude.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * One conversation's messages, run one after another: a ClaudeSession and its ClaudeMessages for the operator, a
 * chain of Jobs for the bare client. Named {@code <prefix>s<session>-m<message>}, so names sort in run order.
 */
record Chain(String session, List<String> messages) {

    /** {@code sessions} chains of {@code messages} each, their names starting with {@code prefix}. */
    static List<Chain> of(String prefix, int sessions, int messages) {
        List<Chain> chains = new ArrayList<>();
        // as wide as the largest number: the operator runs messages of the same second in name order (m100 < m99)
        String message = "%s-m%0" + Math.max(2, Integer.toString(messages).length()) + "d";
        for (int s = 1; s <= sessions; s++) {
            String session = String.format("%ss%03d", prefix, s);
            List<String> names = new ArrayList<>();
            for (int m = 1; m <= messages; m++) {
                names.add(String.format(message, session, m));
            }
            chains.add(new Chain(session, List.copyOf(names)));
        }
        return List.copyOf(chains);
    }

    /** Every message of these chains. */
    static List<String> allMessages(List<Chain> chains) {
        return chains.stream().flatMap(c -> c.messages().stream()).toList();
    }
}
