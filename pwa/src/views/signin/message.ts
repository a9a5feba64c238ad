// What a failed sign-in says, by password or by a substitute's code: one wording for the limiter.
import { ApiError } from "../../api/client";
import { messageOf } from "../../ui/Button";

/** What to tell someone whose sign-in did not open: how long to wait when rate limited. */
export function signInMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === "rate_limited" && error.retryAfter)
    return `Too many tries. Wait ${Math.ceil(error.retryAfter / 60)} min and try again.`;
  return messageOf(error);
}
