// A step that does not behave as the tutorial says stops the demo with this, and no stack trace.

export class DemoFailure extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoFailure(message);
}
