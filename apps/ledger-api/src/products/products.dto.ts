import { IsOrigin, IsRatio, IsSku, IsText } from '../http/validators.js';

export class RegisterProductDto {
  @IsSku() sku: string;
  @IsText('H200 Tensor Core GPU') name: string;
  @IsText('Nvidia') vendor: string;
  @IsOrigin() origin: 'foreign' | 'domestic';
}

export class ReasonDto {
  @IsText('customs review') reason: string;
}

export class SetPairingRatioDto {
  @IsRatio() domesticPerUnit: number;
}
