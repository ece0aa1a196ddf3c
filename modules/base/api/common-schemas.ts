// The pieces live in core so every module's API shares them; kept here for base's own imports.
export { cursorQuery, idList, idParams, idSchema, intParam, iso, pageOf, searchQuery, timestamp } from 'tessera/core';
