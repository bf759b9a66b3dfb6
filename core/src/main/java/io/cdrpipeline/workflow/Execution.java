package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One run of a workflow, as persisted: its input, where it stands ({@code nextStep} is the first
 * step not yet done, {@code state} the outputs of the steps done), and who runs it now.
 */
public record Execution(
    String id,
    String workflow,
    ObjectNode input,
    String inputKey,
    ExecutionStatus status,
    String trigger,
    Instant startedAt,
    Optional<Instant> endedAt,
    Instant deadline,
    int nextStep,
    ObjectNode state,
    Optional<ObjectNode> output,
    Optional<String> error,
    Optional<String> owner,
    Optional<Instant> heartbeatAt,
    boolean stopRequested) {}
