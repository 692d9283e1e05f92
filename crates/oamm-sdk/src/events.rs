//! The options program's events, read back from a transaction's logs: what
//! `emit!` writes on a cluster is a `Program data: <base64>` line
//! (discriminator, then the Borsh body). Only lines the options program
//! itself wrote count: the log says which program is running ("Program <id>
//! invoke [depth]" ... "Program <id> success"), and another program in the
//! same transaction can write a line that looks like one of ours.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine as _;
use options_amm::events as ev;

macro_rules! options_events {
    ($($name:ident),* $(,)?) => {
        /// One event of the options program, decoded.
        #[derive(Debug)]
        pub enum OptionsEvent {
            $($name(ev::$name),)*
        }

        impl OptionsEvent {
            /// An event from its bytes (discriminator + body); None for
            /// another type or a body that does not decode.
            pub fn decode(bytes: &[u8]) -> Option<OptionsEvent> {
                $(
                    if bytes.starts_with(ev::$name::DISCRIMINATOR) {
                        return ev::$name::try_from_slice(&bytes[8..]).ok().map(OptionsEvent::$name);
                    }
                )*
                None
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(OptionsEvent::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

options_events!(
    PoolInitialized,
    PoolParamsUpdated,
    PoolParamsProposed,
    PoolParamsCancelled,
    PauseSet,
    AdminProposed,
    AdminAccepted,
    GuardianSet,
    SeriesCreated,
    Deposited,
    Withdrawn,
    Traded,
    GreeksRefreshed,
    SeriesSettled,
    Redeemed,
    SeriesClosed,
    Rebalanced,
);

/// The `Program data` payloads `program` wrote itself, in order.
pub fn program_data(logs: &[String], program: &anchor_lang::prelude::Pubkey) -> Vec<Vec<u8>> {
    let me = program.to_string();
    let mut running: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else { continue };
        if let Some(data) = rest.strip_prefix("data: ") {
            if running.last() == Some(&me) {
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data.trim()) {
                    out.push(bytes);
                }
            }
        } else if let Some((id, tail)) = rest.split_once(' ') {
            if tail.starts_with("invoke [") {
                running.push(id.to_string());
            } else if (tail == "success" || tail.starts_with("failed"))
                && running.last().map(String::as_str) == Some(id)
            {
                running.pop();
            }
        }
    }
    out
}

/// Every event the options program (at `program`) emitted in these logs.
pub fn options_events(logs: &[String], program: &anchor_lang::prelude::Pubkey) -> Vec<OptionsEvent> {
    program_data(logs, program).iter().filter_map(|b| OptionsEvent::decode(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::AnchorSerialize;

    fn data_line<T: Discriminator + AnchorSerialize>(e: &T) -> String {
        let mut bytes = T::DISCRIMINATOR.to_vec();
        e.serialize(&mut bytes).unwrap();
        format!("Program data: {}", base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    #[test]
    fn only_the_options_programs_own_lines_decode_as_its_events() {
        let pool = Pubkey::new_unique();
        let (me, other) = (options_amm::ID, Pubkey::new_unique());
        let paused = ev::PauseSet { pool, paused: 7, by: pool };
        let guardian = ev::GuardianSet { pool, guardian: other };
        let fake = ev::PauseSet { pool, paused: 0, by: other };
        let logs: Vec<String> = vec![
            format!("Program {me} invoke [1]"),
            "Program log: Instruction: SetPaused".into(),
            data_line(&paused),
            // a CPI into another program, which writes a look-alike line
            format!("Program {other} invoke [2]"),
            data_line(&fake),
            format!("Program {other} success"),
            data_line(&guardian),
            format!("Program {me} consumed 1234 of 200000 compute units"),
            format!("Program {me} success"),
            // after our program returned: not ours either
            data_line(&fake),
            "Program data: not base64 !!".into(),
        ];
        let events = options_events(&logs, &me);
        let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["PauseSet", "GuardianSet"]);
        match &events[0] {
            OptionsEvent::PauseSet(p) => assert_eq!((p.paused, p.by), (7, pool)),
            other => panic!("{other:?}"),
        }
        // the look-alike is the other program's own line, and only that
        let theirs = options_events(&logs, &other);
        assert!(matches!(theirs.as_slice(), [OptionsEvent::PauseSet(p)] if p.paused == 0 && p.by == other));
        // a body that does not decode is skipped, not a panic
        assert!(OptionsEvent::decode(ev::PauseSet::DISCRIMINATOR).is_none());
    }
}
