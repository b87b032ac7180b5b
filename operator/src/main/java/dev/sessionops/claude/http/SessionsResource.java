package dev.sessionops.claude.http;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.api.wire.HistoryPage;
import dev.sessionops.claude.api.wire.ItemList;
import dev.sessionops.claude.api.wire.SessionDetails;
import dev.sessionops.claude.api.wire.SessionInfo;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;

/** Sessions of a namespace, one session, and its conversation (read only; {@link ApiAuthFilter} guards every call). */
@Path(ApiPaths.BASE + "/namespaces/{namespace}/sessions")
@Guarded("claudesessions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "sessions")
public class SessionsResource {
    private final KubeReads kube;
    private final HistoryStore history;

    public SessionsResource(KubeReads kube, HistoryStore history) {
        this.kube = kube;
        this.history = history;
    }

    @GET
    @Operation(summary = "The namespace's sessions (ChannelCoder's SessionInfo), those without messages included")
    public ItemList<SessionInfo> list(@PathParam("namespace") String namespace) {
        return new ItemList<>(kube.sessions(namespace).stream().map(SessionInfo::of).toList());
    }

    @GET
    @Path("{name}")
    @Operation(summary = "One session: its chain of Claude session ids, totals, and its messages in queue order")
    public SessionDetails get(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        var session = kube.session(namespace, name);
        List<String> messages = kube.messagesOf(namespace, name).stream().map(m -> m.getMetadata().getName()).toList();
        return SessionDetails.of(session, messages);
    }

    @GET
    @Path("{name}/history")
    @Operation(summary = "The session's conversation, oldest first, a page at a time (limit 1..500, default 50); "
            + "positions are absolute, entries before firstIndex were trimmed (cso.history.max-entries)")
    public HistoryPage history(@PathParam("namespace") String namespace, @PathParam("name") String name,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        Paging paging = Paging.of(offset, limit);
        ConversationKey key = ConversationKey.of(kube.session(namespace, name));
        return HistoryItems.page(history.page(key, paging.offset(), paging.limit()), paging);
    }
}
