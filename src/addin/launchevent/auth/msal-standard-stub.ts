/**
 * Stands in for MSAL's `StandardController` and `StandardOperatingContext` in the launch-event
 * bundle only (webpack's NormalModuleReplacementPlugin in `webpack.config.js`). The handler uses
 * Nested App Authentication alone, and the standard browser flows (popup, redirect, iframe)
 * would take about 40 KiB gzipped of the bundle's 100 KiB budget. MSAL reaches these classes
 * only when NAA is unavailable, and then the handler uses Office SSO instead.
 */

function unavailable(): Error {
  return new Error(
    'WORKLINK_MSAL_STANDARD_UNAVAILABLE: the launch-event bundle carries only MSAL nested app authentication; ' +
      'the handler uses OfficeRuntime.auth.getAccessToken where NestedAppAuth 1.1 is missing.',
  );
}

export class StandardController {
  constructor() {
    throw unavailable();
  }
}

export class StandardOperatingContext {
  constructor() {
    throw unavailable();
  }
}
