package dev.sessionops.claude.session;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

public class ClaudeSessionReconciler implements Reconciler<ClaudeSession> {
    @Override
    public UpdateControl<ClaudeSession> reconcile(ClaudeSession resource, Context<ClaudeSession> context) {
        return UpdateControl.noUpdate();
    }
}
