pub mod greek_cache;
pub mod params;
pub mod pool;
pub mod series;

pub use greek_cache::*;
pub use params::*;
pub use pool::*;
pub use series::*;
