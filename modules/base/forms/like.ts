// Kept for base's own imports; the helper lives in core so every module searches alike.
export { LIKE_ESCAPE, escapeLikePrefix } from 'tessera/core';
