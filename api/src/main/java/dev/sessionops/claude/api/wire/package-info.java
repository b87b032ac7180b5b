/**
 * The read API's wire types: what {@code /apis/api.claude.sessionops.dev/v1alpha1} answers, and what the
 * {@code kubectl claude} plugin prints with {@code -o json|yaml}. Part of the contract next to {@code api.v1alpha1}
 * (they depend on nothing of ours but it), so the operator and the plugin share one definition of each shape.
 */
package dev.sessionops.claude.api.wire;
