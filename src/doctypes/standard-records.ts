/** A Role record that every site starts with. */
export interface StandardRole {
  readonly role_name: string
  readonly desk_access: 0 | 1
}

/** A Module Def record of the built-in `frappe` app. */
export interface StandardModule {
  readonly module_name: string
  readonly app_name: 'frappe'
}

/**
 * The roles a fresh Frappe site has, limited to those confirmed in Frappe's source:
 * `make_module_and_roles` (core/doctype/doctype/doctype.py) always creates Administrator, Guest
 * and All, plus every role named in a DocPerm, each with `desk_access = 1`; `STANDARD_ROLES`
 * (core/doctype/role/role.py) adds System Manager and Script Manager; `AUTOMATIC_ROLES`
 * (permissions.py) adds Desk User; `install_basic_docs` (utils/install.py) creates Report Manager
 * and Translator. The others are named in DocPerms of Frappe's own DocTypes (Comment, Workspace,
 * Dashboard, Blogger).
 */
export const STANDARD_ROLES: readonly StandardRole[] = [
  { role_name: 'Administrator', desk_access: 1 },
  { role_name: 'System Manager', desk_access: 1 },
  { role_name: 'All', desk_access: 1 },
  { role_name: 'Guest', desk_access: 1 },
  { role_name: 'Desk User', desk_access: 1 },
  { role_name: 'Script Manager', desk_access: 1 },
  { role_name: 'Report Manager', desk_access: 1 },
  { role_name: 'Translator', desk_access: 1 },
  { role_name: 'Website Manager', desk_access: 1 },
  { role_name: 'Workspace Manager', desk_access: 1 },
  { role_name: 'Dashboard Manager', desk_access: 1 },
  { role_name: 'Blogger', desk_access: 1 },
]

/**
 * The modules of the `frappe` app, in the order of Frappe v15's `frappe/modules.txt`.
 * Newer develop drops Social.
 */
export const STANDARD_MODULES: readonly StandardModule[] = [
  { module_name: 'Core', app_name: 'frappe' },
  { module_name: 'Website', app_name: 'frappe' },
  { module_name: 'Workflow', app_name: 'frappe' },
  { module_name: 'Email', app_name: 'frappe' },
  { module_name: 'Custom', app_name: 'frappe' },
  { module_name: 'Geo', app_name: 'frappe' },
  { module_name: 'Desk', app_name: 'frappe' },
  { module_name: 'Integrations', app_name: 'frappe' },
  { module_name: 'Printing', app_name: 'frappe' },
  { module_name: 'Contacts', app_name: 'frappe' },
  { module_name: 'Social', app_name: 'frappe' },
  { module_name: 'Automation', app_name: 'frappe' },
]
