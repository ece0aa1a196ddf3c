// Form reading lives in core so every module's pages read forms alike; kept here for base's imports.
export {
  attempt,
  checkbox,
  formProblem,
  formIdList as idList,
  idParam,
  formList as list,
  optionalText,
  raw,
  requireId,
  text,
  type FormBody,
  type FormProblem,
} from 'tessera/core';
