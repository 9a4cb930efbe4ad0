/** The rights a DocPerm row grants (spec 9.1), in Frappe's order (`frappe.permissions.rights`). */
export const RIGHTS = [
  'select',
  'read',
  'write',
  'create',
  'delete',
  'submit',
  'cancel',
  'amend',
  'print',
  'email',
  'report',
  'import',
  'export',
  'share',
] as const

export type PermissionType = (typeof RIGHTS)[number]

/** Each right as 0 or 1, as Frappe's `get_doc_permissions` answers. */
export type Rights = Record<PermissionType, 0 | 1>

/** Rights a DocShare row can carry; `email` and `print` follow `read` (spec 9.2). */
export const SHAREABLE: ReadonlySet<PermissionType> = new Set(['read', 'write', 'share', 'submit', 'email', 'print'])

export function noRights(): Rights {
  return Object.fromEntries(RIGHTS.map((right) => [right, 0])) as Rights
}

export function allRights(): Rights {
  return Object.fromEntries(RIGHTS.map((right) => [right, 1])) as Rights
}
