/** An error shaped like a failed HTTP response, as a refresh function would throw it. */
export const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
