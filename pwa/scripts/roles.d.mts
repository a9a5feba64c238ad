// Types of roles.mjs, for vite.config.ts.
/** One role's screen (its first file) and every file it needs beyond the shell. */
export interface RoleFiles {
  view: string;
  files: string[];
}
export const ROLES_FILE: string;
export function roleViews(appSource?: string): Record<string, string>;
export function splitByRole(dist: string): { shell: Set<string>; roles: Record<string, RoleFiles> };
export function writeRoleFiles(dist: string): { shell: Set<string>; roles: Record<string, RoleFiles> };
