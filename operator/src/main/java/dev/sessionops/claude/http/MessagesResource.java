package dev.sessionops.claude.http;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.api.wire.HistoryItem;
import dev.sessionops.claude.api.wire.HistoryPage;
import dev.sessionops.claude.api.wire.MessageDetails;
import dev.sessionops.claude.events.StreamIds;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import io.smallrye.common.annotation.Blocking;

/** One message, its part of the conversation, and its live events (read only; {@link ApiAuthFilter} guards every call). */
@Path(ApiPaths.BASE + "/namespaces/{namespace}/messages")
@Guarded("claudemessages")
@Tag(name = "messages")
public class MessagesResource {
    private final KubeReads kube;
    private final HistoryStore history;
    private final EventStreamer streamer;
    private final CurrentCaller caller;

    public MessagesResource(KubeReads kube, HistoryStore history, EventStreamer streamer, CurrentCaller caller) {
        this.kube = kube;
        this.history = history;
        this.streamer = streamer;
        this.caller = caller;
    }

    @GET
    @Path("{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One message: its session, prompt and status (result, cost, turns, usage, conditions)")
    public MessageDetails get(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        return MessageDetails.of(kube.message(namespace, name));
    }

    @GET
    @Path("{name}/history")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The message's turns (its prompt and reply once recorded), in the shape of session history")
    public HistoryPage history(@PathParam("namespace") String namespace, @PathParam("name") String name,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        Paging paging = Paging.of(offset, limit);
        ClaudeMessage message = kube.message(namespace, name);
        ConversationKey key = ConversationKey.of(message).orElse(null);
        if (key == null) {
            // a session's message its session has not taken in yet: nothing of it is recorded
            return HistoryPage.of(List.of(), paging.offset(), paging.limit(), 0, 0);
        }
        if (key.oneShot()) {
            return HistoryItems.page(history.page(key, paging.offset(), paging.limit()), paging);
        }
        // a message of a session: only the page of its own entries is read, through the session's index; positions
        // are the message's own, and firstIndex says how many of them the session's cap trimmed
        HistoryStore.MessagePage own = history.messageHistory(key, message.getMetadata().getUid(), name, paging.offset(),
                paging.limit());
        List<HistoryItem> items = own.entries().stream().map(HistoryItems::of).toList();
        return HistoryPage.of(items, paging.offset(), paging.limit(), own.total(), own.firstIndex());
    }

    @GET
    @Path("{name}/log")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(summary = "The run's stream-json events as Server-Sent Events, from the start (or after Last-Event-ID) "
            + "until the result event; id = Redis Stream entry id, event = the stream-json type, data = the JSON line. "
            + "A message that ended without a result, or whose events expired, ends with one 'status' event. "
            + "A stream lasts at most cso.api.events.max-duration, then ends with a comment: reconnect with Last-Event-ID.")
    @APIResponse(responseCode = "200", description = "the event stream",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(implementation = String.class)))
    @APIResponse(responseCode = "429", description = "too many event streams open (in all, or of this user); "
            + "Retry-After says when to try again")
    public void events(@PathParam("namespace") String namespace, @PathParam("name") String name,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink, @Context Sse sse) {
        if (lastEventId != null && !lastEventId.isBlank() && !StreamIds.isValid(lastEventId.trim())) {
            throw ApiException.badRequest("Last-Event-ID must be an event id of this stream (like 1700000000000-0), got \""
                    + lastEventId + "\"");
        }
        ClaudeMessage message = kube.message(namespace, name);
        streamer.stream(message, lastEventId == null || lastEventId.isBlank() ? null : lastEventId.trim(), caller.userKey(),
                sink, sse);
    }
}
