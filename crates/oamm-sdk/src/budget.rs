//! Compute-unit limits for the transactions a client sends.
//!
//! Each options-program instruction gets the worst case measured on the SBF
//! build at the program's cap of live series (`MAX_LIVE_SERIES`, 32; the
//! table is `sbf/cu-table.md`, and `sbf/cu-table.sh` fails if a measurement
//! exceeds the bound here) plus 10%. The bound holds for any pool whatever
//! its book, because no pool can list more; the price is that a small book
//! asks for more units than it uses, which costs nothing without a priority
//! fee (a fee is paid per unit asked). A simulation would give a tighter
//! number but not a safe one: the program skips repricing series already
//! priced in the same second, so a simulation can see half the cost of the
//! transaction that lands a second later.
use crate::Instruction;
use anchor_lang::Discriminator;
use options_amm::instruction as oi;
use solana_compute_budget_interface::ComputeBudgetInstruction;

/// The most one transaction may ask for.
pub const MAX_TX_CU: u32 = 1_400_000;
/// What the runtime grants an instruction when nothing is asked for, and
/// what we ask for an instruction of a program we do not know.
pub const DEFAULT_IX_CU: u32 = 200_000;
/// The spot venue: a swap takes 31k, creating a pool (three PDA searches
/// and its vaults) more than 50k.
const VENUE_IX_CU: u32 = 150_000;
/// SPL Token, associated token accounts, System: each well under this
/// (creating an associated token account: 22k).
const SMALL_IX_CU: u32 = 50_000;

/// Bound for one options-program instruction, by its discriminator; None
/// for data that is not one of the program's instructions.
pub fn options_ix_bound(data: &[u8]) -> Option<u32> {
    let table: [(&[u8], u32); 19] = [
        (oi::InitializePool::DISCRIMINATOR, 100_000), // PDA bump searches vary with the mints
        (oi::UpdatePoolParams::DISCRIMINATOR, 22_000),
        (oi::SetPaused::DISCRIMINATOR, 16_000),
        (oi::CreateSeries::DISCRIMINATOR, 80_000), // likewise with the series key
        (oi::Deposit::DISCRIMINATOR, 360_000),
        (oi::Withdraw::DISCRIMINATOR, 750_000),
        (oi::Buy::DISCRIMINATOR, 680_000),
        (oi::Sell::DISCRIMINATOR, 685_000),
        (oi::RefreshGreeks::DISCRIMINATOR, 305_000),
        (oi::Rebalance::DISCRIMINATOR, 435_000), // the expiry-aware cost-benefit band at 32 live (16 expiries)
        (oi::SettleSeries::DISCRIMINATOR, 84_000),
        (oi::Redeem::DISCRIMINATOR, 44_000),
        (oi::CloseSeries::DISCRIMINATOR, 19_000),
        (oi::ProposePoolParams::DISCRIMINATOR, 22_000),
        (oi::ApplyPoolParams::DISCRIMINATOR, 20_000),
        (oi::CancelPoolParams::DISCRIMINATOR, 15_000),
        (oi::ProposeAdmin::DISCRIMINATOR, 16_000),
        (oi::AcceptAdmin::DISCRIMINATOR, 16_000),
        (oi::SetGuardian::DISCRIMINATOR, 16_000),
    ];
    table.iter().find(|(d, _)| data.starts_with(d)).map(|(_, cu)| *cu)
}

/// The units to ask for `ixs` (one transaction), at most MAX_TX_CU.
pub fn limit_for(ixs: &[Instruction]) -> u32 {
    let mut total: u64 = 1_000; // the compute-budget instruction itself
    for ix in ixs {
        let cu = if ix.program_id == options_amm::ID {
            options_ix_bound(&ix.data).unwrap_or(DEFAULT_IX_CU)
        } else if ix.program_id == spot_venue::ID {
            VENUE_IX_CU
        } else if ix.program_id == anchor_spl::token::ID
            || ix.program_id == anchor_spl::associated_token::ID
            || ix.program_id == anchor_lang::solana_program::system_program::ID
        {
            SMALL_IX_CU
        } else {
            DEFAULT_IX_CU
        };
        total += cu as u64;
    }
    total.min(MAX_TX_CU as u64) as u32
}

/// `ixs` behind a compute-budget instruction asking for `limit_for(ixs)`
/// (the options instructions must still target the compiled-in program id
/// when this is called; a redeployed id is substituted after).
pub fn with_limit(ixs: &[Instruction]) -> Vec<Instruction> {
    let mut out = Vec::with_capacity(ixs.len() + 1);
    out.push(ComputeBudgetInstruction::set_compute_unit_limit(limit_for(ixs)));
    out.extend_from_slice(ixs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::InstructionData;

    fn options_ix(data: impl InstructionData) -> Instruction {
        Instruction { program_id: options_amm::ID, accounts: vec![], data: data.data() }
    }

    #[test]
    fn each_instruction_gets_its_bound_and_a_bundle_the_sum_capped() {
        let withdraw = options_ix(oi::Withdraw { lp_amount: 1, min_quote_out: 0 });
        let buy = options_ix(oi::Buy { contracts: 1, max_total_cost: 1 });
        let settle = options_ix(oi::SettleSeries {});
        assert_eq!(limit_for(std::slice::from_ref(&buy)), 681_000);
        assert_eq!(limit_for(&[settle.clone(), buy.clone()]), 765_000);
        // a withdrawal and two buys together would exceed the cap: asked at the cap
        assert_eq!(limit_for(&[withdraw, buy.clone(), buy.clone()]), MAX_TX_CU);
        let unknown =
            Instruction { program_id: solana_sdk::pubkey::Pubkey::new_unique(), accounts: vec![], data: vec![] };
        assert_eq!(limit_for(&[unknown]), 1_000 + DEFAULT_IX_CU);
        let ixs = with_limit(std::slice::from_ref(&buy));
        assert_eq!(ixs.len(), 2);
        assert_eq!(ixs[0], ComputeBudgetInstruction::set_compute_unit_limit(681_000));
        assert_eq!(ixs[1], buy);
        assert_eq!(options_ix_bound(&[0u8; 8]), None);
    }
}
