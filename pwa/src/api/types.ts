// Names for the wire types the app uses, all read from the generated contract (shared/).
import * as shared from "../contract/constants";
import type { components, paths } from "../contract/openapi";
import type {
  EmergencyFrame,
  EmergencyKind,
  EmergencyStaffView,
  EmergencyStudentView,
  Hallway,
  Notification,
  RosterEntryOut,
  ServerFrame,
} from "../contract/frames";

type Schemas = components["schemas"];

export type Pass = Schemas["PassOut"];
export type Placement = Schemas["Placement"];
export type PassState = Pass["state"];
export type Place = Schemas["LocationOut"];
export type Me = Schemas["UserOut"];
export type Role = Me["role"];
export type Session = Schemas["SessionOut"];
export type Grant = Schemas["GrantOut"];
export type GrantWithCode = Schemas["GrantWithCode"];
export type GrantCreate = Schemas["GrantCreate"];
export type SubstitutePerson = Schemas["SubstitutePerson"];
export type PassEvent = Schemas["PassEventOut"];
export type Today = Schemas["TodayOut"];
export type SchoolSettings = Schemas["SchoolSettingsOut"];
export type PlaceKind = Schemas["LocationKind"];
export type Approval = Schemas["Approval"];
export type PlaceCreate = Schemas["LocationCreate"];
export type PlacePatch = Partial<Schemas["LocationPatch"]>;
export type SchoolPatch = Partial<Schemas["SchoolPatch"]>;
export type PolicyRow = Schemas["PolicyOut"];
export type PolicyRules = Partial<Schemas["PolicyRules"]>;
export type PolicyScope = Schemas["PolicyScope"];
export type PolicyExplanation = Schemas["PolicyExplanationOut"];
export type StudentGroup = Schemas["StudentGroupOut"];
export type Schedule = Schemas["ScheduleOut"];
export type ScheduleIn = Schemas["ScheduleIn"];
export type EncounterGroup = Schemas["EncounterGroupOut"];
export type EncounterGroupIn = Schemas["EncounterGroupIn"];
export type EncounterLogEntry = Schemas["EncounterLogOut"];
export type AdminUser = Schemas["UserAdminOut"];
export type UserPage = Schemas["UserPageOut"];
export type UserCreate = Schemas["UserCreate"];
export type UserPatch = Partial<Schemas["UserPatch"]>;
export type StudentHit = Schemas["StudentOut"];
export type StudentDay = Schemas["StudentDay"];
export type SsoKind = Schemas["SsoKind"];
export type SsoProvider = Schemas["PublicProviderOut"];
export type SsoProviders = Schemas["PublicProvidersOut"];
export type SsoProviderAdmin = Schemas["ProviderOut"];
export type SsoMatch = SsoProviderAdmin["match_claim"];
export type SsoProviderCreate = Omit<Schemas["ProviderCreate"], "client_secret" | "scope">;
export type SsoProviderPatch = Partial<Schemas["ProviderPatch"]>;
export type SsoSettings = Schemas["SsoSettingsOut"];
export type SignInAttempt = Schemas["SignInAttemptOut"];
/** What the sign-in page says for a problem code (the server's SSO_PROBLEMS). */
export interface SsoProblem {
  title: string;
  detail: string;
  ask: string;
}
export type District = Schemas["DistrictOut"];
export type DistrictSchool = Schemas["DistrictSchoolOut"];
export type SchoolCreate = Schemas["SchoolCreate"];
export type SchoolReport = Schemas["SchoolReport"];
export type AdminCreated = Schemas["AdminCreated"];
export type MySchool = Schemas["MySchoolOut"];
export type { EmergencyFrame, EmergencyKind, EmergencyStaffView, EmergencyStudentView, Hallway, Notification, RosterEntryOut, ServerFrame };
export type EmergencyView = EmergencyFrame["emergency"];

/** A verb a pass takes by POST /api/passes/{id}/<verb> (approve, deny, end, ...). */
export type Verb = {
  [P in keyof paths]: P extends `/api/passes/{id}/${infer V}` ? (paths[P] extends { post: object } ? V : never) : never;
}[keyof paths];

/** States in which a pass holds the student's one open pass (DESIGN.md invariant 1). */
export const OPEN_STATES: ReadonlySet<PassState> = shared.OPEN_STATES;

/** Roles that work with passes as staff. */
export const STAFF_ROLES: ReadonlySet<Role> = shared.STAFF_ROLES;
export type KioskLookup = Schemas["KioskLookupOut"];
