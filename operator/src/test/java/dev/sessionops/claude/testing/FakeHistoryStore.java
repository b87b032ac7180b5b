package dev.sessionops.claude.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.ConversationSummary;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.Outcome;
import dev.sessionops.claude.history.Recorded;
import dev.sessionops.claude.history.ResumePoint;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The history in memory, with the semantics of {@link HistoryStore}'s Redis scripts (a completion is recorded once per
 * message UID, a failed one only counts its cost), so reconcilers can be driven without Redis. {@link #down} makes
 * every call fail as an unreachable Redis does.
 */
public class FakeHistoryStore extends HistoryStore {
    private final Map<ConversationKey, Conversation> conversations = new HashMap<>();
    private final Set<ConversationKey> deleted = new java.util.HashSet<>();
    private boolean down;
    private int records;

    private final int maxEntries;

    public FakeHistoryStore() {
        this(1000);
    }

    /** @param maxEntries cso.history.max-entries: past it, recording trims the oldest turns */
    public FakeHistoryStore(int maxEntries) {
        // the real constructor only registers metrics; no Redis behind it, every method is overridden
        super(null, new ObjectMapper(), new OperatorMetrics(new SimpleMeterRegistry()), maxEntries);
        this.maxEntries = maxEntries;
    }

    /** Redis down (true) or back (false). */
    public FakeHistoryStore down(boolean down) {
        this.down = down;
        return this;
    }

    /** Whether any key of the conversation exists (what {@link #delete} removes). */
    public boolean exists(ConversationKey key) {
        return conversations.containsKey(key);
    }

    /** How many times {@link #record} was called, replays included. */
    public int recordCalls() {
        return records;
    }

    /** Records without an outcome, as versions before outcomes did. */
    public Recording record(ConversationKey key, Completion c) {
        return record(key, c, null);
    }

    @Override
    public Recording record(ConversationKey key, Completion c, Outcome outcome) {
        available();
        records++;
        if (deleted.contains(key)) {
            return Recording.CONVERSATION_DELETED;
        }
        Conversation conversation = conversations.computeIfAbsent(key, k -> new Conversation());
        if (!conversation.applied.add(c.messageUid())) {
            return Recording.replayed(conversation.outcomes.get(c.messageUid()));
        }
        if (outcome != null) {
            conversation.outcomes.put(c.messageUid(), outcome);
        }
        long start = conversation.trimmed + conversation.entries.size();
        if (c.succeeded()) {
            conversation.entries.add(new HistoryEntry(HistoryEntry.USER, c.prompt(), c.startedAt(), c.sessionId(),
                    c.messageName()));
            conversation.entries.add(new HistoryEntry(HistoryEntry.ASSISTANT, c.reply(), c.completedAt(), c.sessionId(),
                    c.messageName()));
            conversation.messageCount++;
            conversation.currentSessionId = c.sessionId() == null ? "" : c.sessionId();
            conversation.resumeAt = c.turnUuid();
            if (conversation.chain.isEmpty() || !conversation.chain.get(conversation.chain.size() - 1)
                    .equals(conversation.currentSessionId)) {
                conversation.chain.add(conversation.currentSessionId);
            }
        }
        conversation.index.put(c.messageUid(), new long[] { start, conversation.trimmed + conversation.entries.size() - start });
        int over = conversation.entries.size() - maxEntries;
        if (over > 0) {
            over += over % 2; // whole turns
            conversation.entries.subList(0, over).clear();
            conversation.trimmed += over;
        }
        if (conversation.created == null) {
            conversation.created = c.completedAt();
        }
        conversation.lastActive = c.completedAt();
        conversation.totalCostUsd += c.costUsd();
        conversation.inputTokens += c.inputTokens();
        conversation.outputTokens += c.outputTokens();
        conversation.cacheCreationInputTokens += c.cacheCreationInputTokens();
        conversation.cacheReadInputTokens += c.cacheReadInputTokens();
        return Recording.RECORDED;
    }

    @Override
    public Recorded recorded(ConversationKey key, String messageUid) {
        available();
        return conversation(key).filter(c -> c.applied.contains(messageUid))
                .map(c -> new Recorded(true, c.outcomes.get(messageUid))).orElse(Recorded.NO);
    }

    @Override
    public void startNewChain(ConversationKey key) {
        available();
        conversation(key).ifPresent(c -> {
            c.currentSessionId = "";
            c.resumeAt = null;
        });
    }

    @Override
    public Optional<String> currentSessionId(ConversationKey key) {
        available();
        return conversation(key).map(c -> c.currentSessionId).filter(id -> !id.isEmpty());
    }

    @Override
    public NextTurn nextTurn(ConversationKey key, String messageUid) {
        available();
        if (conversation(key).map(c -> c.applied.contains(messageUid)).orElse(false)) {
            return new NextTurn(true, null);
        }
        return new NextTurn(false, conversation(key).filter(c -> c.currentSessionId != null && !c.currentSessionId.isEmpty())
                .map(c -> new ResumePoint(c.currentSessionId, c.resumeAt)).orElse(null));
    }

    @Override
    public ConversationSummary summary(ConversationKey key) {
        available();
        Conversation c = conversation(key).orElseGet(Conversation::new);
        return new ConversationSummary(c.created, c.lastActive, c.messageCount, c.currentSessionId, List.copyOf(c.chain),
                c.totalCostUsd, c.inputTokens, c.outputTokens, c.cacheCreationInputTokens, c.cacheReadInputTokens);
    }

    @Override
    public Page page(ConversationKey key, long offset, long count) {
        available();
        Conversation c = conversation(key).orElseGet(Conversation::new);
        long first = Math.max(offset, c.trimmed);
        long end = c.trimmed + c.entries.size();
        long last = count < 0 ? end : Math.min(end, offset + count);
        List<HistoryEntry> entries = first >= last ? List.of()
                : List.copyOf(c.entries.subList((int) (first - c.trimmed), (int) (last - c.trimmed)));
        return new Page(entries, c.trimmed, end);
    }

    @Override
    public List<HistoryEntry> history(ConversationKey key, long offset, long count) {
        return page(key, offset, count).entries();
    }

    @Override
    public MessagePage messageHistory(ConversationKey key, String messageUid, String messageName, long offset, int limit) {
        available();
        long[] at = conversation(key).map(c -> c.index.get(messageUid)).orElse(null);
        if (at == null) {
            return new MessagePage(List.of(), 0, 0);
        }
        Conversation c = conversations.get(key);
        long gone = Math.max(0, Math.min(at[1], c.trimmed - at[0]));
        long first = Math.max(offset, gone);
        long last = Math.min(at[1], offset + limit);
        List<HistoryEntry> entries = first >= last ? List.of() : List.copyOf(c.entries.subList(
                (int) (at[0] - c.trimmed + first), (int) (at[0] - c.trimmed + last)));
        return new MessagePage(entries, at[1], gone);
    }

    @Override
    public long length(ConversationKey key) {
        return page(key, 0, 0).total();
    }

    @Override
    public void delete(ConversationKey key) {
        available();
        conversations.remove(key);
        deleted.add(key);
    }

    private Optional<Conversation> conversation(ConversationKey key) {
        return Optional.ofNullable(conversations.get(key));
    }

    private void available() {
        if (down) {
            throw new HistoryStoreUnavailableException("Redis down (FakeHistoryStore)", null);
        }
    }

    /** The keys of one conversation: applied set, history list, index and meta hash, chain list. */
    private static final class Conversation {
        final Set<String> applied = new LinkedHashSet<>();
        final List<HistoryEntry> entries = new ArrayList<>();
        final Map<String, long[]> index = new HashMap<>();
        final Map<String, Outcome> outcomes = new HashMap<>();
        final List<String> chain = new ArrayList<>();
        String created;
        String lastActive;
        String currentSessionId;
        String resumeAt;
        long messageCount;
        long trimmed;
        double totalCostUsd;
        long inputTokens;
        long outputTokens;
        long cacheCreationInputTokens;
        long cacheReadInputTokens;
    }
}
