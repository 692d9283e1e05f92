pub mod greek_cache;
pub mod params;
pub mod pool;
pub mod price_memory;
pub mod series;

pub use greek_cache::*;
pub use params::*;
pub use pool::*;
pub use price_memory::*;
pub use series::*;
