import { drawQuota, remainingQuota, type ApprovalQuota } from './quota.rule.js';

const approval = (approvalId: string, quota: number, used = 0): ApprovalQuota => ({
  approvalId,
  firmId: 'bytedance',
  quota,
  used,
  revoked: false,
});

describe('drawing quota', () => {
  const approvals = [approval('a-1', 600, 600), approval('a-2', 400, 100), approval('a-3', 500)];

  it('skips used-up approvals and empties each before the next', () => {
    expect(drawQuota(approvals, 400)).toEqual([
      { approvalId: 'a-2', quantity: 300 },
      { approvalId: 'a-3', quantity: 100 },
    ]);
  });

  it('draws exactly what remains', () => {
    expect(remainingQuota(approvals)).toBe(800);
    expect(drawQuota(approvals, 800)).toHaveLength(2);
  });

  it('draws nothing when the approvals do not cover the quantity', () => {
    expect(drawQuota(approvals, 801)).toBeUndefined();
  });
});
