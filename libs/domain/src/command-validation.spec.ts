import type { LedgerCommand } from './commands.js';
import { assertValidCommand, validateCommand } from './command-validation.js';
import { DomainError } from './errors.js';

// Commands are built from request bodies; these stand in for what the type system cannot promise.
const untrusted = (command: unknown) => command as LedgerCommand;

describe('validating a command', () => {
  describe('when every field is well-formed', () => {
    it('finds nothing', () => {
      expect(
        validateCommand({
          type: 'GrantApproval',
          data: { approvalId: 'a-1', batchId: 'batch-1', firmId: 'bytedance', sku: 'H200', quota: 150_000 },
        }),
      ).toEqual([]);
    });

    it('lets an optional field be absent', () => {
      expect(
        validateCommand({
          type: 'GrantExportLicense',
          data: { licenseId: 'lic-1', sku: 'H200', vendor: 'Nvidia', destination: 'CN' },
        }),
      ).toEqual([]);
    });
  });

  describe('when several fields are malformed or missing', () => {
    const command = untrusted({
      type: 'PlaceOrder',
      data: { orderId: 'o 1', firmId: 'bytedance', quantity: '10' },
    });

    it('names each of them, in the order of the command', () => {
      expect(validateCommand(command).map(({ field }) => field)).toEqual(['orderId', 'sku', 'quantity']);
    });

    it('says what each must be', () => {
      expect(validateCommand(command)).toContainEqual({
        field: 'quantity',
        message: 'must be a whole number from 1 to 100000000',
      });
    });

    it('refuses with INVALID_INPUT, listing them in the details', () => {
      let refusal: unknown;
      try {
        assertValidCommand(command);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({
        code: 'INVALID_INPUT',
        kind: 'validation',
        details: { fields: validateCommand(command) },
      });
    });
  });

  describe('when the data is not an object', () => {
    it('names every field as missing', () => {
      expect(
        validateCommand(untrusted({ type: 'CancelOrder', data: null })).map(({ field }) => field),
      ).toEqual(['orderId', 'reason']);
    });
  });
});
