use options_amm_tests::program_test;

#[tokio::test]
async fn bank_starts_with_program() {
    let ctx = program_test().start_with_context().await;
    let acc = ctx.banks_client.get_account(options_amm::ID).await.unwrap();
    assert!(acc.is_some(), "program account must exist in the bank");
}
