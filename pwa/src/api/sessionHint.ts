// Whether this browser may hold a session: the server sets the readable cookie
// `hallpass_signed_in=1` beside the HttpOnly session cookie and clears it on sign-out
// (server/api/session.py), so the sign-in page of a fresh browser asks nothing (and logs no 401).
import * as lastKnown from "../live/lastKnown";

const HINT_COOKIE = "hallpass_signed_in";

/** Say whether asking GET /api/me could find a session. */
export function maySignedIn(): boolean {
  const hinted = document.cookie.split(";").some((part) => part.trim() === `${HINT_COOKIE}=1`);
  // A device signed in before the hint existed still has what it last showed: ask once, and
  // the next sign-in sets the hint.
  return hinted || lastKnown.load() !== null;
}

/** Forget the hint (the server said the session is gone, or the user signed out). */
export function forgetSignedIn(): void {
  document.cookie = `${HINT_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`;
}
