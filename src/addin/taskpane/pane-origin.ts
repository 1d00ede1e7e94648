/**
 * Returns the origin of the Worklink API for the task pane. The server that serves the pane
 * also serves the API, so the page's own origin is used when it is http(s). The compiled-in
 * `__WORKLINK_API_ORIGIN__` is the fallback for a page opened from elsewhere. Both are the same
 * in a production build, whose manifest points the pane at `WORKLINK_PUBLIC_ORIGIN`.
 */
export function resolvePaneApiOrigin(location: Pick<Location, 'protocol' | 'origin'>, compiled: string): string {
  if ((location.protocol === 'https:' || location.protocol === 'http:') && location.origin !== 'null') {
    return location.origin;
  }
  return compiled;
}
