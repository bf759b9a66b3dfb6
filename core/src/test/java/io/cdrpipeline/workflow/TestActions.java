package io.cdrpipeline.workflow;

/** Pipeline actions that always succeed, for schedule tests in other packages. */
public final class TestActions extends ForwardingActions {
  public TestActions() {
    super(new ScriptedActions());
  }
}
