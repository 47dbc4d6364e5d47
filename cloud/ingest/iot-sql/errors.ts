/** Errors of the local AWS IoT SQL evaluator. */
export class IotSqlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The SQL uses something outside the implemented subset, or is not valid SQL: raised by compileRule, so a
 * rule the local engine cannot run faithfully fails at start-up instead of behaving differently from AWS.
 */
export class UnsupportedSqlError extends IotSqlError {}

/** A message the rule cannot be applied to (e.g. a non-JSON payload where the SELECT reads a field). */
export class RuleEvaluationError extends IotSqlError {}
