// Honest lanes: a lane whose server is missing is skipped on a developer's
// machine (with the reason) but fails the run under CI=true, where .ci/run has
// installed and started every server — a lane that cannot start is a failure.

/** The skip reason for a missing lane, or false when it is there; throws under CI. */
export function missingLane(missing: boolean, reason: string): string | false {
  if (!missing) return false;
  if (process.env.CI === 'true') throw new Error(`a test lane cannot start under CI: ${reason}`);
  return reason;
}
