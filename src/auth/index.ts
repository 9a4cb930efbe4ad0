export { generateKeys } from './api-keys.js'
export { bootInfo, homePageOf } from './boot-info.js'
export { GUEST, authenticate, authenticateHeader, principalOf, type HeaderAuthOptions, type Principal } from './authenticate.js'
export { UNSAFE_METHODS, assertCsrfToken, assertSameSite, type BrowserContext } from './csrf.js'
export { checkLogin, type LoginAttempt } from './login.js'
export { createLoginThrottle, loginThrottle, type LoginThrottle } from './login-throttle.js'
export { csrfTokenOf, endSession, type SessionState } from './session-state.js'
export {
  GUEST_SID,
  deleteSession,
  deleteUserSessions,
  findSession,
  needsRefresh,
  refreshSession,
  sessionExpirySeconds,
  startSession,
  type FoundSession,
  type Session,
  type StartSessionOptions,
} from './sessions.js'
export { GUEST_INFO, cachedRolesOf, cachedUserInfo, loadUserInfo, rolesOf, type UserInfo } from './user-info.js'
