package dev.sessionops.claude.local;

import java.util.Map;

/**
 * The kubelet's {@code $(VAR)} expansion of env values, command and args: a defined variable is replaced, an
 * undefined reference stays as written, {@code $$} escapes a dollar. Emulated because it applies to user text
 * such as a prompt passed in {@code args}, so the operator must escape it.
 */
final class VarExpansion {
    private VarExpansion() {
    }

    static String expand(String input, Map<String, String> vars) {
        StringBuilder out = new StringBuilder(input.length());
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) != '$' || cursor + 1 >= input.length()) {
                continue;
            }
            out.append(input, checkpoint, cursor);
            char next = input.charAt(cursor + 1);
            int close = next == '(' ? input.indexOf(')', cursor + 2) : -1;
            if (next == '$') {
                out.append('$');
                cursor += 1;
            } else if (close >= 0) {
                String name = input.substring(cursor + 2, close);
                String value = vars.get(name);
                out.append(value != null ? value : "$(" + name + ")");
                cursor = close;
            } else {
                out.append('$').append(next);
                cursor += 1;
            }
            checkpoint = cursor + 1;
        }
        return out.append(input, checkpoint, input.length()).toString();
    }
}
