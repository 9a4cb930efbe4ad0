import { DocstatusTransitionError, ValidationError } from '../errors/index.js'
import type { Document } from './document.js'
import type { HookName } from './run-hooks.js'

/** What a save does, decided by the stored and the new docstatus (spec 6.2). */
export type SaveAction = 'save' | 'submit' | 'cancel' | 'update_after_submit'

export const BEFORE_HOOKS: Record<SaveAction, HookName[]> = {
  save: ['beforeValidate', 'validate', 'beforeSave'],
  submit: ['beforeValidate', 'validate', 'beforeSubmit'],
  cancel: ['beforeCancel'],
  update_after_submit: ['beforeUpdateAfterSubmit'],
}

export const AFTER_HOOKS: Record<SaveAction, HookName[]> = {
  save: ['onUpdate'],
  submit: ['onUpdate', 'onSubmit'],
  cancel: ['onCancel'],
  update_after_submit: ['onUpdateAfterSubmit'],
}

const ACTION_BY_TRANSITION: Readonly<Record<string, SaveAction>> = {
  '0-0': 'save',
  '0-1': 'submit',
  '1-1': 'update_after_submit',
  '1-2': 'cancel',
}

const STATUS_LABEL = ['0 (Draft)', '1 (Submitted)', '2 (Cancelled)']

export function transition(doc: Document, stored: number, next: number): SaveAction {
  if (!doc.meta.isSubmittable && next !== 0) throw new ValidationError(`${doc.doctype} is not submittable; docstatus must be 0`)
  if (stored === 2) throw new ValidationError('Cannot edit cancelled document')
  const action = ACTION_BY_TRANSITION[`${stored}-${next}`]
  if (!action) {
    throw new DocstatusTransitionError(`Cannot change docstatus from ${STATUS_LABEL[stored] ?? stored} to ${STATUS_LABEL[next] ?? next}`)
  }
  return action
}
