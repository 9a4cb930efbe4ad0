import { NameError, ValidationError } from '../../errors/index.js'

/**
 * Checks and trims a new name as Frappe's `validate_name` does (spec 8): no `<` or `>`, not
 * the DocType's own name (Singles aside), not a desk placeholder such as "New ToDo 1".
 */
export function validateName(doctype: string, name: string, isSingle: boolean): string {
  if (name.startsWith(`New ${doctype}`)) {
    throw new NameError('There were some errors setting the name, please contact the administrator')
  }
  const trimmed = name.trim()
  if (!trimmed) throw new ValidationError(`No Name Specified for ${doctype}`)
  // A DocType document may be called "DocType" (Frappe exempts it too).
  if (!isSingle && trimmed === doctype && doctype !== 'DocType') {
    throw new NameError(`Name of ${doctype} cannot be ${trimmed}`)
  }
  if (/[<>]/.test(trimmed)) throw new NameError("Name cannot contain special characters like '<', '>'")
  return trimmed
}
