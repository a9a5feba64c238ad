// The school's staff, for naming who is assigned to a place (admins read them from /api/users).
import { signal } from "@preact/signals";
import { call } from "../../api/client";
import type { AdminUser, Role, UserPage } from "../../api/types";

const STAFF: readonly Role[] = ["teacher", "substitute", "nurse", "counselor", "security", "admin", "kiosk"];

/** Active staff and kiosks, by name; null until loaded. */
export const staff = signal<AdminUser[] | null>(null);

/** Load (or reload) the staff list: one page per role, since students would crowd them out. */
export async function loadStaff(): Promise<void> {
  const pages = await Promise.all(
    STAFF.map((role) => call<UserPage>("GET", `/api/users?role=${role}&active=true&limit=200`)),
  );
  staff.value = pages.flatMap((page) => page.users).sort((a, b) => a.name.localeCompare(b.name));
}

/** Name a user by id from the staff list ("#12" until it is loaded). */
export function staffName(id: number): string {
  return staff.value?.find((u) => u.id === id)?.name ?? `#${id}`;
}
