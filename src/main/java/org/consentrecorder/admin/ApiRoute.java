package org.consentrecorder.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * One route of the admin API: method, path under {@code /api/v1} (Vert.x syntax, {@code :id}),
 * who may call it, the action name written to the audit trail, and the handler.
 *
 * @param access     {@link Access#PUBLIC}, {@link Access#AUTHENTICATED} (any role), {@link Access#PERMISSION}, or
 *                   {@link Access#PERMISSION_OR_TICKET} (as PERMISSION; without an Authorization header a
 *                   playback ticket in the query authenticates instead, see {@link PlaybackTickets})
 * @param permission the permission needed when access is PERMISSION
 * @param audited    whether every call writes an audit row (all but a few harmless routes)
 */
public record ApiRoute(HttpMethod method, String path, Access access, Permission permission, String action,
                       boolean audited, Handler<RoutingContext> handler) {

    public enum Access { PUBLIC, AUTHENTICATED, PERMISSION, PERMISSION_OR_TICKET }

    public static ApiRoute of(HttpMethod method, String path, Permission permission, String action,
                              Handler<RoutingContext> handler) {
        return new ApiRoute(method, path, Access.PERMISSION, permission, action, true, handler);
    }

    /** A route a playback ticket may open without a bearer token (the audio of one recording). */
    public static ApiRoute ticketed(HttpMethod method, String path, Permission permission, String action,
                                    Handler<RoutingContext> handler) {
        return new ApiRoute(method, path, Access.PERMISSION_OR_TICKET, permission, action, true, handler);
    }

    /** The path in OpenAPI syntax: {@code /calls/{id}}. */
    public String openApiPath() {
        return path.replaceAll(":([A-Za-z_]+)", "{$1}");
    }
}
