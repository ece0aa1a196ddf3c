// Form reading lives in core so every module's pages read forms alike; kept here for base's imports.
export { attempt, checkbox, formProblem, idList, idParam, list, optionalText, raw, requireId, text, type FormBody, type FormProblem } from '../../../core/http/form-input';
