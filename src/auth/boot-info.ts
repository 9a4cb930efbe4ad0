import { currentContext, type RequestContext } from '../context/index.js'
import { csrfTokenOf } from './session-state.js'
import { GUEST_INFO, loadUserInfo } from './user-info.js'

/** Where a user lands after login: the desk for System Users, `/me` for website users (Frappe's login reply). */
export function homePageOf(userType: string): string {
  return userType === 'Website User' ? '/me' : '/app'
}

/**
 * The desk's boot info (`frappe.sessions.get`, and what `/app` embeds): the user, the site and
 * the session's CSRF token, which this hands out (and so switches the CSRF check on, spec 5.4).
 */
export async function bootInfo(ctx: RequestContext = currentContext()): Promise<Record<string, unknown>> {
  const info = (await loadUserInfo(ctx.site.services.database.reader, ctx.user)) ?? GUEST_INFO
  const csrfToken = await csrfTokenOf(ctx)
  return {
    user: {
      name: ctx.user,
      full_name: info.fullName,
      user_type: info.userType,
      user_image: info.userImage,
      roles: [...ctx.roles],
    },
    sitename: ctx.site.name,
    home_page: homePageOf(info.userType),
    lang: 'en',
    ...(csrfToken ? { csrf_token: csrfToken } : {}),
  }
}
