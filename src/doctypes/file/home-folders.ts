import { ATTACHMENTS_FOLDER } from './file.js'

/** A File folder every site has, by name. */
export interface StandardFolder {
  readonly name: string
  readonly values: Readonly<Record<string, unknown>>
}

/** Frappe's `make_home_folder` (core/doctype/file/utils.py): Home, and Home/Attachments for attached files. */
export const HOME_FOLDERS: readonly StandardFolder[] = [
  { name: 'Home', values: { file_name: 'Home', is_folder: 1, is_home_folder: 1 } },
  { name: ATTACHMENTS_FOLDER, values: { file_name: 'Attachments', folder: 'Home', is_folder: 1, is_attachments_folder: 1 } },
]
