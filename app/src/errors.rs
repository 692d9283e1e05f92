//! Program errors as one readable line: the options program's own codes by
//! name and message, Anchor's and SPL Token's common ones by meaning.
use options_amm::error::OptionsError;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;

/// A transaction the cluster refused, with the program's error code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TxRefused {
    pub code: Option<u32>,
    pub message: String,
}

impl TxRefused {
    pub fn is(&self, e: OptionsError) -> bool {
        self.code == Some(e.into())
    }
}

/// Does this error carry program error `e`?
pub fn is(err: &anyhow::Error, e: OptionsError) -> bool {
    err.downcast_ref::<TxRefused>().is_some_and(|t| t.is(e))
}

pub fn explain_code(code: u32) -> String {
    if let Some(e) = OptionsError::from_code(code) {
        return format!("{} ({code}): {e}", e.name());
    }
    let what = match code {
        0 => "the account already exists",
        1 => "insufficient token balance",
        4 => "token account owner does not match the signer",
        2001 => "an account does not belong to this pool (has_one constraint)",
        2003 => "a constraint on an account failed",
        2006 => "an account is not the program-derived address it should be",
        2012 => "an account is not at the address the pool expects",
        2014 => "token account of the wrong mint",
        2015 => "token account not owned by the expected owner",
        2040 => "the same writable account was passed twice",
        3007 => "an account is owned by the wrong program",
        3008 => "wrong program id",
        3010 => "a required signature is missing",
        3012 => "an account is not initialized",
        _ => "program error",
    };
    format!("{what} (code {code})")
}

pub fn explain_tx_error(err: &TransactionError) -> TxRefused {
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(c)) => {
            TxRefused { code: Some(*c), message: explain_code(*c) }
        }
        TransactionError::InstructionError(i, e) => {
            TxRefused { code: None, message: format!("instruction {i} failed: {e}") }
        }
        other => TxRefused { code: None, message: other.to_string() },
    }
}

pub fn explain_rpc_error(e: &solana_rpc_client_api::client_error::Error) -> String {
    match e.get_transaction_error() {
        Some(t) => explain_tx_error(&t).message,
        None => e.to_string(),
    }
}

pub fn from_bank(e: oamm_sdk::bank::BankError) -> anyhow::Error {
    match e {
        oamm_sdk::bank::BankError::Failed(f) => anyhow::Error::new(explain_tx_error(&f.err)),
        other => anyhow::anyhow!(other.to_string()),
    }
}
