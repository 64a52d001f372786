import { IsOrigin, IsRatio, IsSku, IsText } from '../http/validators.js';

export class RegisterProductDto {
  @IsSku() sku: string;
  @IsText() name: string;
  @IsText() vendor: string;
  @IsOrigin() origin: 'foreign' | 'domestic';
}

export class ReasonDto {
  @IsText() reason: string;
}

export class SetPairingRatioDto {
  @IsRatio() domesticPerUnit: number;
}
