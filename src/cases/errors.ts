import { AppError } from '../http/errors.js';
import { STATUS_LABELS, type CaseStatus } from './types.js';

/** An action not allowed in the case's current state (HTTP 409). */
export class IllegalTransitionError extends AppError {
  constructor(action: string, public readonly from: CaseStatus, message?: string) {
    super(409, 'illegal_transition', message ?? `工单当前状态为“${STATUS_LABELS[from]}”，不能执行该操作（${action}）`);
    this.name = 'IllegalTransitionError';
  }
}

/** A precondition other than the status failed, e.g. urging a case far from its deadline (HTTP 409). */
export class CaseConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'CaseConflictError';
  }
}

/** Unknown case, or one the caller may not know about (HTTP 404, same answer for both). */
export class CaseNotFoundError extends AppError {
  constructor() {
    super(404, 'case_not_found', '工单不存在');
    this.name = 'CaseNotFoundError';
  }
}

/** The caller's role may not do this (HTTP 403). */
export class CaseForbiddenError extends AppError {
  constructor(message = '无权执行该操作') {
    super(403, 'forbidden', message);
    this.name = 'CaseForbiddenError';
  }
}

/** Bad input that passed the HTTP schema, e.g. an unknown department (HTTP 400). */
export class CaseInputError extends AppError {
  constructor(field: string, message: string) {
    super(400, 'bad_request', `${field}: ${message}`);
    this.name = 'CaseInputError';
  }
}
