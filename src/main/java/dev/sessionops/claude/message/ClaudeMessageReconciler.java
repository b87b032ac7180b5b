package dev.sessionops.claude.message;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

public class ClaudeMessageReconciler implements Reconciler<ClaudeMessage> {
    @Override
    public UpdateControl<ClaudeMessage> reconcile(ClaudeMessage resource, Context<ClaudeMessage> context) {
        return UpdateControl.noUpdate();
    }
}
