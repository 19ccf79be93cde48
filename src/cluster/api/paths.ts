/**
 * Where a resource lives on the API server: the core group under `/api/v1`, every other group
 * under `/apis/GROUP/VERSION` (what `kubectl get --raw` takes).
 */
export function apiRoot(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
