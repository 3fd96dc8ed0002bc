export { startAttackService, type AttackServiceOptions } from './attack-service';
